-- Mean lifetime, path length and fastest step of tracks lasting at least a day, per hemisphere
-- of genesis, computed from the points with stormtrack's aggregate functions.
WITH per_track AS (
  SELECT track_id,
         first_value(lat ORDER BY time) AS genesis_lat,
         duration_h(time) AS hours,
         path_length_km(lat, lon, time) AS km,
         max_speed_kmh(time, lat, lon) AS kmh
  FROM track_points
  GROUP BY track_id
)
SELECT CASE WHEN genesis_lat >= 0 THEN 'north' ELSE 'south' END AS hemisphere,
       count(*) AS tracks,
       round(avg(hours), 2) AS mean_lifetime_h,
       round(avg(km), 1) AS mean_path_km,
       round(max(kmh), 1) AS fastest_kmh
FROM per_track
WHERE hours >= 24
GROUP BY hemisphere
ORDER BY hemisphere;
