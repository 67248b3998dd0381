// Writes the bundled JSON-LD contexts (data files under badges_service/openbadges/data/contexts/) from the
// npm packages pinned in package.json: files shipped as .jsonld are copied byte for byte; the Open Badges
// contexts, which their package ships as JS objects, are serialised as JSON. Run once when a context is
// added; the test suite then checks every bundled file against its checksum and against these packages.
import {createHash} from 'node:crypto';
import {existsSync, readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import {allContexts, sourceBytes} from './contexts.mjs';

const out = new URL('../badges_service/openbadges/data/contexts/', import.meta.url);
mkdirSync(out, {recursive: true});
// Contexts that no npm package ships (their entry names a "source", e.g. the OB 2.0 context) are kept as they are.
const indexUrl = new URL('index.json', out);
const previous = existsSync(indexUrl) ? JSON.parse(readFileSync(indexUrl, 'utf8')) : {};
const index = Object.fromEntries(Object.entries(previous).filter(([, entry]) => entry.source));
for (const [url, doc] of allContexts()) {
  const name = url.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_').replace(/\.json(ld)?$/, '') + '.jsonld';
  const bytes = sourceBytes(url) ?? Buffer.from(JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(new URL(name, out), bytes);
  index[url] = {file: name, sha256: createHash('sha256').update(bytes).digest('hex')};
}
writeFileSync(new URL('index.json', out), JSON.stringify(index, null, 2) + '\n');
console.log(`${Object.keys(index).length} contexts written`);
