/**
 * Types of the Pedro Aviary actions, so workflow code gets completion and type errors.
 * A user's project augments `temporal-custom-integrations/workflow` the same way.
 */
import type { Bird, PhotoRecord, Sighting } from './pedro-aviary-server';

declare module '../workflows' {
  interface IntegrationRegistry {
    pedroAviary: {
      listBirds: { input: { species?: string; limit?: number; offset?: number }; output: { results: Bird[]; total: number } };
      getBird: { input: { birdId: number }; output: Bird };
      getPhotoRecords: {
        input: { birdId: number; page?: number; per_page?: number };
        output: { photos: PhotoRecord[]; page: number; perPage: number; total: number };
      };
      createSighting: { input: { body: { birdId: number; location: string; count?: number } }; output: Sighting };
    };
  }
}
