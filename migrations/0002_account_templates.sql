CREATE TABLE `template_versions` (
	`account_id` text NOT NULL,
	`template_id` text NOT NULL,
	`version` integer NOT NULL,
	`html` text NOT NULL,
	`sample_data` text,
	`schema` text,
	`options` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`account_id`, `template_id`, `version`),
	FOREIGN KEY (`account_id`,`template_id`) REFERENCES `templates`(`account_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `templates` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`latest_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`account_id`, `id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
