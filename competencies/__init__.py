"""The référentiel métiers-compétences (frameworks, jobs, competencies, levels). Built in its own issue."""
