// Starts dynalite (a DynamoDB-API server) on 127.0.0.1 at a free port, in
// memory, and prints "http://127.0.0.1:PORT" on its first line of output.
// It stops on SIGTERM/SIGINT or when its parent closes stdin.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', (err) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log(`http://127.0.0.1:${server.address().port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
