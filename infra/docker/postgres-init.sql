-- One database per service: no service reads another's data.
CREATE DATABASE registry;
CREATE DATABASE hazards;
CREATE DATABASE notifier;
CREATE DATABASE gateway;
