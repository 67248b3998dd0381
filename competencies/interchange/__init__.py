"""Import and export of frameworks: a neutral in-memory bundle and its formats (CSV, JSON, CASE 1.0,
Moodle's competency CSV). Pure code: no models here; ``competencies.services`` writes the rows."""
