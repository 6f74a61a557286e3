import { parseRoute, type Route } from './routes';

/** Hash routing: works the same from file:// (desktop) and http:// (browser mode). */
class Router {
  route = $state<Route>(parseRoute(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
  }

  go(path: string): void {
    location.hash = path;
  }
}

export const router = new Router();
