CREATE TABLE `settlement_failures` (
	`id` text PRIMARY KEY NOT NULL,
	`action` text NOT NULL,
	`request_id` text NOT NULL,
	`error` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `settlement_failures_created_at` ON `settlement_failures` (`created_at`);