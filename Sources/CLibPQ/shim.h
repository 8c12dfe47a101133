// libpq, PostgreSQL's C client library (Debian's libpq-dev): the PostgreSQL store's connections.
#include <libpq-fe.h>
