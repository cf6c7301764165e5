CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text NOT NULL,
	`mode` text NOT NULL,
	`source` text NOT NULL,
	`template_id` text,
	`status` text NOT NULL,
	`error_code` text,
	`pages` integer,
	`bytes` integer,
	`duration_ms` integer NOT NULL,
	`task_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `generations_account_created_idx` ON `generations` (`account_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `key_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `template_id` text;