-- The intercommunality's SIREN, when the source gives it: what a staff territory may name.
ALTER TABLE communes ADD COLUMN intercommunality_code TEXT;
