// Starts the adnet language server (`adnet lsp`, the command configurable) for .adnet files.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function start() {
  const config = vscode.workspace.getConfiguration('adnet');
  const command = config.get('server.path', 'adnet');
  const args = config.get('server.args', ['lsp']);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ language: 'adnet' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.adnet') },
  };
  client = new LanguageClient('adnet', 'adnet language server', serverOptions, clientOptions);
  return client.start().catch((e) => {
    vscode.window.showErrorMessage(`adnet: cannot start "${command} ${args.join(' ')}" (${e.message}); set adnet.server.path`);
  });
}

async function restart() {
  if (client) {
    await client.stop();
  }
  await start();
}

function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('adnet.restartServer', restart));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('adnet.server')) {
      restart();
    }
  }));
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
