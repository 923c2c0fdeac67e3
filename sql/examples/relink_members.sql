-- Link the stored centres again with the window function, here with a stricter 300 km limit,
-- and count the tracks it gives per month of their first point.
WITH linked AS (
  SELECT time, lat, lon,
         link_tracks(time, lat, lon, 300.0) OVER (ORDER BY time) AS track_id
  FROM centers
)
SELECT date_part('month', min_time) AS month, count(*) AS tracks
FROM (SELECT track_id, min(time) AS min_time FROM linked GROUP BY track_id)
GROUP BY month
ORDER BY month;
