ALTER TABLE `generations` ADD `refunded` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `generations_created_idx` ON `generations` (`created_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `dead_lettered_at` text;--> statement-breakpoint
CREATE INDEX `tasks_dead_lettered_idx` ON `tasks` (`dead_lettered_at`);