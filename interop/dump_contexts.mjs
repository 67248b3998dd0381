// Print the JSON-LD contexts exactly as the independent npm packages ship them, parsed: {url: document}.
// Used by tests/openbadges/test_contexts_match_independent_packages.py to compare the bundled data files
// with the published packages directly, without going through export_contexts.mjs.
// stdin: nothing. stdout: one JSON object.
import {allContexts} from './contexts.mjs';

process.stdout.write(JSON.stringify(Object.fromEntries(allContexts())) + '\n');
