#!/usr/bin/env node
// Run a command while the machine is busy, to check that the suite does not depend on being
// scheduled promptly:
//
//   node scripts/busy.mjs [-n N] -- npm test
//
// starts N (default: one per core) busy-looping `node -e` processes, runs the command with its
// output inherited, stops the busy processes (also on Ctrl-C, SIGTERM or an error) and exits
// with the command's exit code.
import { spawn } from "node:child_process"
import { availableParallelism } from "node:os"

const argv = process.argv.slice(2)
const dash = argv.indexOf("--")
const options = dash === -1 ? [] : argv.slice(0, dash)
const command = dash === -1 ? argv : argv.slice(dash + 1)
const nAt = options.findIndex((o) => o === "-n" || o === "--busy")
const n = nAt === -1 ? availableParallelism() : Number(options[nAt + 1])
if (command.length === 0 || !Number.isInteger(n) || n < 0) {
  console.error("usage: node scripts/busy.mjs [-n N] -- <command> [args…]")
  process.exit(2)
}

// `for(;;){}`, except that every few million turns it checks its parent is still there, so
// even a SIGKILLed busy.mjs leaves no busy loop behind.
const LOOP = "const p=process.ppid;for(let i=1;;i++)if(i%5e6===0&&process.ppid!==p)process.exit()"
const busy = Array.from({ length: n }, () => spawn(process.execPath, ["-e", LOOP], { stdio: "ignore" }))
const stopBusy = () => {
  for (const child of busy) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL")
      } catch {}
    }
  }
}
// Whatever ends this process ends the busy loops too.
process.on("exit", stopBusy)
process.on("uncaughtException", (error) => {
  console.error(error)
  stopBusy()
  process.exit(1)
})

console.error(`busy.mjs: ${n} busy process(es) (pids ${busy.map((c) => c.pid).join(", ")}); running: ${command.join(" ")}`)
const child = spawn(command[0], command.slice(1), { stdio: "inherit" })
// Ctrl-C reaches the command through the terminal's process group; forward other signals to it.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopBusy()
    if (child.exitCode === null) child.kill(signal)
  })
}
child.on("error", (error) => {
  console.error(`busy.mjs: ${command[0]}: ${error.message}`)
  stopBusy()
  process.exit(127)
})
child.on("exit", (code, signal) => {
  stopBusy()
  process.exit(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1) : 0))
})
