CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`mode` text NOT NULL,
	`key_id` text,
	`total` integer NOT NULL,
	`output` text,
	`output_filename` text,
	`expires_in_hours` integer NOT NULL,
	`webhook_url` text,
	`metadata` text,
	`created_at` text NOT NULL,
	`finished_at` text,
	`completed_at` text,
	`succeeded` integer,
	`failed` integer,
	`output_url` text,
	`output_expires_at` text,
	`output_error` text,
	`webhook_attempts` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `batches_account_idx` ON `batches` (`account_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `batch_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `batch_index` integer;--> statement-breakpoint
CREATE INDEX `tasks_batch_idx` ON `tasks` (`batch_id`,`batch_index`);