// The part of autocannon's API that bench/http-bench.ts uses: the package ships no types.
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      body?: string;
      headers?: Record<string, string>;
      /** Called before each request is sent; answers the request to send. */
      setupRequest?: (request: Request) => Request;
    }

    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      requests?: Request[];
    }

    interface Result {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number };
      throughput: { total: number };
      errors: number;
      timeouts: number;
      /** Answers with a status outside 2xx. */
      non2xx: number;
      statusCodeStats?: Record<string, { count: number }>;
    }
  }

  /** Without a callback, the run's promise (the object returned is also an event emitter). */
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;

  export = autocannon;
}
