-- Tracks (lasting at least a day) and track points per month, by the month of their points.
SELECT year, month,
       count(DISTINCT track_id) AS tracks,
       count(*) AS points
FROM track_points
WHERE track_id IN (SELECT track_id FROM tracks WHERE duration_hours >= 24)
GROUP BY year, month
ORDER BY year, month;
