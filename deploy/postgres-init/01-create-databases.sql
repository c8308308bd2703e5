-- Executed once by the official postgres image, on first start with an empty
-- data directory, as POSTGRES_USER (who therefore owns the databases).
-- One database per service.
CREATE DATABASE eo_identity;
CREATE DATABASE eo_learning;
CREATE DATABASE eo_journal;
CREATE DATABASE eo_compliance;
