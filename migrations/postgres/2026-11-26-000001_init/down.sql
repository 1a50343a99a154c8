DROP TABLE article_related;
DROP TABLE article_children;
DROP TABLE article_tags;
DROP TABLE articles;
DROP TABLE users;
