/**
 * Every real vendor spec of ../shared/specs (see its INDEX.md) imports into a valid definition with actions, every
 * message located; the defects INDEX.md lists for a spec are reported. Run with `npm run test:specs`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseDefinition } from '../../src/definition/load';
import { importSpec } from '../../src/openapi/import';

const SPECS = path.resolve(__dirname, '..', '..', '..', 'shared', 'specs');
const SPEC_FILE = /\.(json|ya?ml)(\.gz)?$/i;
/** Set by jest.specs.config.js: under the main configuration this file only says how to run it. */
const selected = (globalThis as { realSpecs?: boolean }).realSpecs === true;
const files = selected && existsSync(SPECS) ? readdirSync(SPECS).filter((f) => SPEC_FILE.test(f)).sort() : [];

/** Message codes each spec must produce, from the defects INDEX.md lists (at least this many). */
const EXPECTED: Record<string, Record<string, number>> = {
  'bitbucket_swagger.yaml': { 'trailing-slash': 8, 'missing-operation-id': 1 },
  'hubspot_marketing_emails_v3.json': { 'trailing-slash': 1 },
  'shutterstock_openapi.yaml': { 'duplicate-operation-id': 4 },
  'sendgrid_oai.json': { 'duplicate-operation-id': 2, 'invalid-pattern': 2 },
  'connectwise_asio_partner_api.yaml': { 'duplicate-operation-id': 2, 'undeclared-path-parameter': 3, 'undefined-security-scheme': 1, 'no-auth': 1 },
  // The fifth invalid pattern (ServiceAccount) is in a schema no operation reaches: lint reports it, import does not.
  'okta_management_minimal.yaml': { 'invalid-pattern': 4, 'relative-oauth-url': 1, 'server-template': 1 },
  'square_connect_api.json': { 'dangling-ref': 5, 'undeclared-path-parameter': 1 },
  'hubspot_cms_hubdb_v3.json': { 'dangling-ref': 2 },
  'docusign_esignature_v2.json': { 'dangling-ref': 1, 'no-auth': 1 },
  'digitalocean_public_v2_root.yaml': { 'external-ref': 659 },
  'azure_network_publicipaddress_swagger.yaml': { 'external-ref': 1 },
  'syncromsp_swagger.json': { 'undefined-security-scheme': 1, 'missing-operation-id': 1, 'server-template': 1 },
  'halopsa_swagger.json': { 'no-host': 1, 'missing-operation-id': 1, 'missing-description': 1 },
  'ninjaone_public_api_v2.yaml': { 'no-host': 1 },
  'zendesk_support_oas.yaml': { 'server-template': 1 },
  'adyen_terminal_api_v1.yaml': { 'server-variables': 1, 'missing-operation-id': 1 },
  'cloudflare_openapi.json': { 'required-undefined': 1, 'operation-id-not-identifier': 1 },
  'autotask_rest_v1.json': { 'missing-description': 1, 'no-auth': 1 },
  'msgraph_v1.0.json.gz': { 'missing-operation-id': 1, 'no-auth': 1 },
  'github_api.github.com.json.gz': { 'operation-id-not-identifier': 1, 'no-auth': 1 },
};

if (!selected) {
  test.skip('the real specs run with `npm run test:specs` (jest -c jest.specs.config.js)', () => undefined);
} else if (files.length === 0) {
  test.skip(`no real specs: ${SPECS} is absent or has no spec files`, () => undefined);
} else {
  test.each(files)('%s', async (file) => {
    const { definition, messages, stats } = await importSpec(path.join(SPECS, file));
    expect(definition.actions.length).toBeGreaterThan(0);
    expect(stats.actions).toBe(definition.actions.length);
    // What the import command writes is a definition the loader accepts, and plain JSON (nothing circular).
    const text = JSON.stringify({ $schema: '../definition.schema.json', ...definition });
    expect(parseDefinition(text, { file: path.join(SPECS, `${definition.name}.json`) }).actions).toHaveLength(definition.actions.length);
    for (const m of messages) {
      expect(m).toEqual(expect.objectContaining({ severity: expect.stringMatching(/^(error|warning|info)$/), pointer: expect.any(String), line: expect.any(Number), column: expect.any(Number) }));
      expect(m.message.length).toBeGreaterThan(0);
      expect(m.fix.length).toBeGreaterThan(0);
    }
    const counts = new Map<string, number>();
    for (const m of messages) counts.set(m.code, (counts.get(m.code) ?? 0) + 1);
    const missing = Object.entries(EXPECTED[file] ?? {})
      .filter(([code, least]) => (counts.get(code) ?? 0) < least)
      .map(([code, least]) => `${code}: ${counts.get(code) ?? 0} messages, expected at least ${least}`);
    expect(missing).toEqual([]);
  });
}
