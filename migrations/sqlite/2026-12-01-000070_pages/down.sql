DROP TABLE preview_links;
DROP TABLE article_slug_history;
DROP TABLE article_authors;
DROP TABLE authors;
