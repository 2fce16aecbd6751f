#!/usr/bin/env python3
"""The transcript rules of SPEC.md 4.1 as one DuckDB query, for comparison
with ceu on the same file: checks 1-9 (without a roster: certified_on from
the row), duplicates (window), the 80 clock-hour minimum (window sum) and the
40-a-year cap (running sum), writing credits and rejections as CSV.

    python3 benches/duckdb_rules.py BATCH.csv OUTDIR [THREADS]
"""
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
con = duckdb.connect()
con.execute(f"SET threads={threads}")
con.execute(f"""
CREATE TABLE rows AS
SELECT row_number() OVER () + 1 AS row, *
FROM read_csv('{src}', all_varchar = true, header = true);

CREATE TABLE checked AS
SELECT *,
  try_strptime(completed_on, '%Y-%m-%d')::DATE AS done,
  try_strptime(certified_on, '%Y-%m-%d')::DATE AS cert,
  TRY_CAST(clock_hours AS DECIMAL(12, 2)) AS clock,
  TRY_CAST(credit_hours AS DECIMAL(12, 2)) AS credit,
  CASE
    WHEN coalesce(trim(member_id), '') = '' OR coalesce(trim(institution), '') = ''
      OR coalesce(trim(program), '') = '' OR coalesce(trim(program_area), '') = ''
      OR coalesce(trim(completed_on), '') = ''
      OR (coalesce(trim(course_id), '') = '' AND coalesce(trim(course_title), '') = '') THEN 'MISSING_FIELD'
    WHEN try_strptime(completed_on, '%Y-%m-%d') IS NULL THEN 'INVALID_DATE'
    WHEN (clock_hours IS NULL) = (credit_hours IS NULL)
      OR coalesce(TRY_CAST(clock_hours AS DECIMAL(12, 2)), TRY_CAST(credit_hours AS DECIMAL(12, 2)), 0) <= 0 THEN 'INVALID_HOURS'
    WHEN lower(replace(replace(replace(program_area, ' ', ''), '-', ''), '_', ''))
      NOT IN ('healthcare', 'healthcarebusiness', 'healthcarefinance', 'healthcaremanagement') THEN 'NOT_HEALTHCARE_PROGRAM'
    WHEN upper(trim(coalesce(grade, ''))) IN ('F','N','U','NC','NP','NR','NG','NGR','GP','X','I','IN','INC','IP','WIP',
      'W','WD','WF','WN','WP','WU','WX','MW','AW','DR','NW','AU','AUD','AUW') THEN 'NOT_PASSED'
    WHEN try_strptime(completed_on, '%Y-%m-%d')::DATE > DATE '2026-11-15' THEN 'FUTURE_DATE'
    WHEN try_strptime(certified_on, '%Y-%m-%d') IS NULL THEN 'UNKNOWN_CERTIFICATION'
    WHEN try_strptime(completed_on, '%Y-%m-%d') < try_strptime(certified_on, '%Y-%m-%d') THEN 'BEFORE_CERTIFICATION'
  END AS code,
  upper(trim(member_id)) AS member,
  lower(replace(institution, ' ', '')) AS inst,
  lower(replace(coalesce(nullif(course_id, ''), course_title), ' ', '')) AS course
FROM rows;

-- Rows that passed checks 1-6 count toward a clock program's length, each course once.
CREATE TABLE programs AS
SELECT member, inst, lower(replace(program, ' ', '')) AS prog, sum(clock) AS length
FROM (
  SELECT *, row_number() OVER (PARTITION BY member, inst, course ORDER BY done, row) AS k
  FROM checked
  WHERE clock IS NOT NULL AND (code IS NULL OR code IN ('UNKNOWN_CERTIFICATION', 'BEFORE_CERTIFICATION'))
) WHERE k = 1
GROUP BY ALL;

CREATE TABLE ranked AS
SELECT c.*,
  CASE
    WHEN code IS NOT NULL THEN code
    WHEN row_number() OVER (PARTITION BY c.member, c.inst, c.course ORDER BY done, row) > 1 THEN 'DUPLICATE_COURSE'
  END AS code2
FROM checked c;

CREATE TABLE standing AS
SELECT r.*,
  CASE
    WHEN code2 IS NULL AND clock IS NOT NULL AND coalesce(p.length, 0) < 80 THEN 'BELOW_CLOCK_MINIMUM'
    ELSE code2
  END AS code3,
  coalesce(clock * 1, credit * 10) AS ceus
FROM ranked r
LEFT JOIN programs p ON p.member = r.member AND p.inst = r.inst AND p.prog = lower(replace(r.program, ' ', ''));

CREATE TABLE awarded AS
SELECT *,
  greatest(0, least(ceus, 40 - coalesce(sum(ceus) OVER (PARTITION BY member, year(done) ORDER BY done, row
    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS award
FROM standing WHERE code3 IS NULL;

COPY (SELECT row, member_id, institution, program, course_id, course_title, done, clock, credit, ceus, award,
             award < ceus AS capped, year(done) AS cap_group
      FROM awarded WHERE award > 0 ORDER BY row) TO '{out}/credits.csv' (HEADER);
COPY (SELECT row, member_id, code3 AS code FROM standing WHERE code3 IS NOT NULL
      UNION ALL SELECT row, member_id, 'ANNUAL_CAP_REACHED' FROM awarded WHERE award = 0
      ORDER BY row) TO '{out}/rejections.csv' (HEADER);
""")
