declare module 'async-exit-hook' {
  interface AsyncExitHook {
    /** Stops listening to one process event the hooks were registered for. */
    unhookEvent(event: string): void;
  }
  const hook: AsyncExitHook;
  export default hook;
}
