-- The 20 deepest cyclones: lowest central pressure of tracks lasting at least a day.
-- stormtrack sql --tracks tracks/ -f sql/examples/deepest_cyclones.sql
SELECT track_id,
       round(extreme_value / 100, 1) AS min_hpa,
       extreme_time,
       extreme_lat,
       extreme_lon,
       duration_hours,
       round(path_length_km) AS path_km
FROM tracks
WHERE duration_hours >= 24
ORDER BY extreme_value, track_id
LIMIT 20;
