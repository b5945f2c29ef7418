/** Runs in Node before the workerd suite: a Clerk Backend API on 127.0.0.1 for the Worker and the SDK. */
import type { TestProject } from "vitest/node"
import { FAKE_SECRET_KEY, startFakeClerk } from "../runtimes/support/fakeClerk.js"

declare module "vitest" {
  export interface ProvidedContext {
    clerkPort: number
    clerkSecretKey: string
  }
}

export default async function setup(project: TestProject) {
  const clerk = await startFakeClerk()
  project.provide("clerkPort", clerk.port)
  project.provide("clerkSecretKey", FAKE_SECRET_KEY)
  return () => clerk.close()
}
