/**
 * The roles a dropped checkpoint plays in the landscape studio, their labels, and the guess made
 * from its folder name when it is dropped (pure functions; the store applies them).
 */
export type Role = 'origin' | 'taskA' | 'taskB' | 'random' | 'scratch' | 'trajectory' | 'none';

export const ROLE_LABELS: Record<Role, string> = {
  origin: 'origin θ0 (pretrained)',
  taskA: 'fine-tuned on task A (θ1)',
  taskB: 'fine-tuned on task B (θ2)',
  random: 'random initialisation',
  scratch: 'trained from scratch',
  trajectory: 'training checkpoint (trajectory)',
  none: 'unassigned',
};

/**
 * The role a folder name suggests: training checkpoints by step-like names, the random
 * initialisation, from-scratch and pretrained origin by name (each once), then task A, task B.
 */
export function guessRole(name: string, taken: (r: Role) => boolean): Role {
  const n = name.toLowerCase();
  if (/step|traj|ckpt-\d|checkpoint-\d/.test(n)) return 'trajectory';
  if (/random|init/.test(n) && !taken('random')) return 'random';
  if (/scratch/.test(n) && !taken('scratch')) return 'scratch';
  if (/pretrain|origin|base/.test(n) && !taken('origin')) return 'origin';
  if (!taken('taskA')) return 'taskA';
  if (!taken('taskB')) return 'taskB';
  return 'none';
}

/** n evenly spaced values from min to max (both included; [min] when n ≤ 1). */
export function evenRange(min: number, max: number, n: number): number[] {
  if (n <= 1) return [min];
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? max : min + ((max - min) * k) / (n - 1)));
}
