// MLflow's two stores: the mlruns folder (file store) and the SQLite tracking database.
export { readMlflowFileStore } from './mlflow-file-store';
export { isMlflowDatabase, readMlflowSqlite } from './mlflow-sqlite';
