import Link from "next/link";

export const metadata = { title: "Not found" };

/** Any URL no page answers, and pages that call notFound() (a container id that is gone). */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-3 p-6">
      <h1 className="text-lg font-semibold text-slate-900">This page does not exist</h1>
      <p className="text-sm text-slate-600">The address may be mistyped, or what it named (a container, an image, a host) is gone.</p>
      <p className="text-sm">
        <Link href="/overview" className="text-blue-700 underline underline-offset-2">
          Go to the overview
        </Link>
      </p>
    </main>
  );
}
