"""Connected accounts: vendor logins, their status and the devices they bring."""
