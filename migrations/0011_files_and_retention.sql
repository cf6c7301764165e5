CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`r2_key` text NOT NULL,
	`filename` text NOT NULL,
	`mode` text NOT NULL,
	`pages` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`request_id` text,
	`task_id` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `files_r2_key_unique` ON `files` (`r2_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `files_task_id_unique` ON `files` (`task_id`);--> statement-breakpoint
CREATE INDEX `files_account_created_idx` ON `files` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `files_expires_at_idx` ON `files` (`expires_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `expires_in_hours` integer;