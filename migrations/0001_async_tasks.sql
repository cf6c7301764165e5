CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL,
	`mode` text NOT NULL,
	`webhook_url` text,
	`metadata` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	`response_time_ms` integer,
	`url` text,
	`expires_at` text,
	`pages` integer,
	`error_code` text,
	`error_message` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`webhook_attempts` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tasks_account_idx` ON `tasks` (`account_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `webhook_secret_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `webhook_secret_created_at` text;