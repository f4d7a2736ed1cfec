/**
 * The demo's workflows module: the package's workflows plus one of our own that calls several actions.
 */
import { integration } from '../workflows';
import './pedro-aviary.types';

export * from '../workflows/workflows';

export interface AviaryReport {
  readonly birdsInAviary: number;
  readonly featured: { name: string; species: string; wingspanCm: number };
  readonly latestPhotos: string[];
  readonly sightingId: number;
}

/** Picks a bird, fetches its photo records and records a sighting: four actions, four activities in the Web UI. */
export async function aviaryReport(location: string): Promise<AviaryReport> {
  const aviary = integration('pedroAviary');
  const { results, total } = await aviary.listBirds({ limit: 5 });
  const first = results[0];
  if (!first) throw new Error('the aviary is empty');
  const bird = await aviary.getBird({ birdId: first.id });
  const { photos } = await aviary.getPhotoRecords({ birdId: bird.id, per_page: 3 });
  const sighting = await aviary.createSighting({ body: { birdId: bird.id, location, count: 2 } });
  return {
    birdsInAviary: total,
    featured: { name: bird.name, species: bird.species, wingspanCm: bird.wingspanCm },
    latestPhotos: photos.map((p) => p.url),
    sightingId: sighting.id,
  };
}
