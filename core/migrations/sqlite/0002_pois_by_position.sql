-- Box queries on POIs (nearby, along a trace) when the store is asked directly.
CREATE INDEX pois_by_position ON pois (lat, lon);
