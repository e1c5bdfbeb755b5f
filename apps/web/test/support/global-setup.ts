import { ensureTestImage, removeTestContainers } from "./engine";

export async function setup(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
}

export async function teardown(): Promise<void> {
  await removeTestContainers();
}
