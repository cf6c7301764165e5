ALTER TABLE `template_versions` ADD `created_by` text;--> statement-breakpoint
ALTER TABLE `templates` ADD `pinned_version` integer;