import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi } from '../contract/api';
import type { AppEvent } from '../contract/events';
import { EVENT_CHANNEL } from '../contract/names';

// Named functions only: the page never sees ipcRenderer or arbitrary channels.
const api = buildApi(
  (op, input) => ipcRenderer.invoke(op, input),
  (listener) => {
    const handler = (_event: IpcRendererEvent, payload: AppEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
);

contextBridge.exposeInMainWorld('api', api);
