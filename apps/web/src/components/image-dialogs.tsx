"use client";

import { useId, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { useInvalidate } from "@/lib/invalidate";
import type { ImageRow } from "./image-list";
import { parseTagTarget } from "@stevedore/protocol";
import { Button, Dialog, ErrorNote, Input, toast } from "./ui";

const nameOf = (img: ImageRow) => img.repoTags[0] ?? shortId(img.id);

/** `docker tag`: give an image another name (`repo:tag`, `registry:port/repo:tag`) on its host, typed in one field. */
export function ImageTagDialog({ image, onClose }: { image: ImageRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate("images");
  const [text, setText] = useState(image?.repoTags[0]?.replace(/:[^:/]*$/, ":") ?? "");
  const [touched, setTouched] = useState(false);
  const parsed = parseTagTarget(text);
  const tag = useMutation(
    trpc.images.tag.mutationOptions({
      onSuccess: (_, input) => {
        toast({ tone: "ok", title: `Tagged ${image ? nameOf(image) : "the image"} as ${input.target.repository}:${input.target.tag}` });
        void invalidate().then(onClose);
      },
    }),
  );
  const hintId = useId();
  return (
    <Dialog open={image !== null} onClose={onClose} title={image ? `Tag ${nameOf(image)} on ${image.hostName}` : "Tag"}>
      <form
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (image && parsed.ok) tag.mutate({ hostId: image.hostId, id: image.id, target: parsed.target });
        }}
      >
        <label className="block space-y-1">
          <span className="block font-medium">New name</span>
          <Input
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => setTouched(true)}
            placeholder="registry.example.com:5000/team/app:1.4.2"
            className="w-full font-mono"
            autoFocus
            aria-invalid={touched && !parsed.ok}
            aria-describedby={hintId}
          />
        </label>
        <p id={hintId} data-testid="tag-target-hint" className={touched && !parsed.ok ? "text-red-800" : "text-slate-600"}>
          {parsed.ok ? (
            <>
              Repository <code className="font-mono">{parsed.target.repository}</code>, tag <code className="font-mono">{parsed.target.tag}</code>
              {!/:[^/]*$/.test(text.trim()) && " (none typed: docker's default)"}
            </>
          ) : touched ? (
            parsed.error
          ) : (
            "repository:tag, optionally after a registry host[:port]/"
          )}
        </p>
        <ErrorNote error={tag.error} />
        <div className="flex justify-end gap-2">
          <Button type="button" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" disabled={tag.isPending || (touched && !parsed.ok)}>
            {tag.isPending ? "Tagging…" : "Tag"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * `docker rmi`: untag one tag (the image goes with its last one), or delete the image under all its
 * tags. The engine refuses while containers use the image, or an id while several tags name it, unless forced.
 */
export function ImageRemoveDialog({ image, onClose }: { image: ImageRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate("images");
  const remove = useMutation(
    trpc.images.remove.mutationOptions({
      onSuccess: (r) => {
        toast({ tone: "ok", title: `Removed ${ref === image?.id ? shortId(ref) : ref} from ${image?.hostName ?? "the host"}`, details: [`${r.untagged.length} untagged, ${r.deleted.length} deleted`] });
        void invalidate().then(onClose);
      },
    }),
  );
  const [ref, setRef] = useState(image?.repoTags[0] ?? image?.id ?? "");
  const [force, setForce] = useState(false);
  const tags = image?.repoTags ?? [];
  return (
    <Dialog open={image !== null} onClose={onClose} title={image ? `Remove ${nameOf(image)} from ${image.hostName}` : "Remove"}>
      {image && (
        <div className="space-y-3 text-sm">
          {tags.length > 1 ? (
            <fieldset className="space-y-1">
              <legend className="mb-1">This image has {tags.length} tags. Remove:</legend>
              {[...tags, image.id].map((r) => (
                <label key={r} className="flex items-center gap-2">
                  <input type="radio" name="remove-ref" checked={ref === r} onChange={() => setRef(r)} />
                  {r === image.id ? `the image ${shortId(image.id)} under every tag (needs force)` : `the tag ${r} only`}
                </label>
              ))}
            </fieldset>
          ) : (
            <p>The image {shortId(image.id)} and the layers no other image uses are deleted from {image.hostName}.</p>
          )}
          {tags.length > 1 && ref !== image.id && <p className="text-slate-600">This removes the tag {ref}; the image stays under its other tags.</p>}
          {image.containers > 0 && (
            <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              {image.containers} container{image.containers === 1 ? " uses" : "s use"} this image. The engine refuses to delete it unless forced; forcing leaves those containers on an untagged image.
            </p>
          )}
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (like <code>docker rmi --force</code>)
          </label>
          <ErrorNote error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate({ hostId: image.hostId, ref, force })}>
              {remove.isPending ? "Removing…" : "Remove"}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
