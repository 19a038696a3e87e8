import { useCallback, useEffect, useState } from 'react';
import { listModels, type ModelList } from '../api/models.ts';

/** The server's models and its default text model, loaded once per page; `reload` after a pull. */
export function useModelList(): { list: ModelList | null; reload: () => void } {
  const [list, setList] = useState<ModelList | null>(null);
  const reload = useCallback(() => {
    listModels().then(setList, () => setList(null));
  }, []);
  useEffect(reload, [reload]);
  return { list, reload };
}

/** Whether the default text model is installed: null while unknown (loading, or an older server). */
export function defaultTextModelState(list: ModelList | null): { name: string; installed: boolean } | null {
  const name = list?.defaultTextModel ?? null;
  if (list === null || name === null) return null;
  return { name, installed: list.rows.some((row) => row.name === name && row.installed) };
}
