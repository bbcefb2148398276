-- Same databases as the native stack (stack/src/config.ts).
CREATE DATABASE IF NOT EXISTS silk_test;
CREATE DATABASE IF NOT EXISTS silk_order;
CREATE DATABASE IF NOT EXISTS silk_storage;
CREATE DATABASE IF NOT EXISTS silk_account;
CREATE DATABASE IF NOT EXISTS silk_notification;
CREATE DATABASE IF NOT EXISTS silk_tx;
CREATE DATABASE IF NOT EXISTS silk_shard_0;
CREATE DATABASE IF NOT EXISTS silk_shard_1;
GRANT ALL PRIVILEGES ON *.* TO 'silk'@'%';
