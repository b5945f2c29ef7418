/**
 * `ClerkAuth`: Clerk's HttpApi security middleware, of the app's Effect line (the class is
 * spelled per line, `src/line/<line>/HttpApi.ts`; what it does is `./authenticate.ts`).
 *
 * @since 0.1.0
 */
export { ClerkAuth } from "#line/HttpApi"
