/**
 * A drop zone plus a real file input (and optionally a folder input) that yields files with their
 * relative paths. Folders dropped from the OS are walked (DataTransferItem.webkitGetAsEntry), so a
 * Hugging Face checkpoint folder can be dropped whole. Keyboard and screen-reader reachable.
 */
import { useCallback, useId, useState, type DragEvent, type ReactNode } from 'react';

/** A picked or dropped file with its path relative to what the user chose (`ckpt/config.json`). */
export interface PickedFile {
  file: File;
  path: string;
}

export interface FileDropProps {
  label: string;
  /** e.g. ".txt,.gz" or ".json,.safetensors,.bin,.txt" */
  accept?: string;
  multiple?: boolean;
  /** Offer a folder picker too. */
  folders?: boolean;
  disabled?: boolean;
  onFiles(files: PickedFile[]): void;
  children?: ReactNode;
  testId?: string;
}

export function FileDrop({
  label,
  accept,
  multiple = true,
  folders = false,
  disabled,
  onFiles,
  children,
  testId,
}: FileDropProps) {
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = useCallback(
    async (event: DragEvent<HTMLDivElement>) => {
      event.preventDefault();
      setOver(false);
      if (disabled) return;
      onFiles(await filesFromDataTransfer(event.dataTransfer));
    },
    [disabled, onFiles],
  );
  return (
    <div
      className={`file-drop${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void onDrop(e)}
      data-testid={testId}
      aria-label={label}
      role="group"
    >
      <p className="file-drop-label">{label}</p>
      <div className="row">
        <label className="button" htmlFor={`${id}-files`}>
          Choose files…
        </label>
        <input
          id={`${id}-files`}
          className="visually-hidden"
          type="file"
          accept={accept}
          multiple={multiple}
          disabled={disabled}
          data-testid={testId ? `${testId}-input` : undefined}
          onChange={(e) => {
            onFiles(fromFileList(e.currentTarget.files));
            e.currentTarget.value = '';
          }}
        />
        {folders && (
          <>
            <label className="button" htmlFor={`${id}-folder`}>
              Choose a folder…
            </label>
            <input
              id={`${id}-folder`}
              className="visually-hidden"
              type="file"
              disabled={disabled}
              data-testid={testId ? `${testId}-folder` : undefined}
              ref={(el) => el?.setAttribute('webkitdirectory', '')}
              onChange={(e) => {
                onFiles(fromFileList(e.currentTarget.files));
                e.currentTarget.value = '';
              }}
            />
          </>
        )}
        <span className="hint">or drop {folders ? 'files or folders' : 'files'} here</span>
      </div>
      {children}
    </div>
  );
}

function fromFileList(list: FileList | null): PickedFile[] {
  return Array.from(list ?? []).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** Files from a drop, walking dropped folders recursively. */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items)
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return fromFileList(dt.files);
  const out: PickedFile[] = [];
  for (const entry of entries) await walk(entry, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, path, out);
  }
}
