import { describe, expect, it } from "vitest";
import { NetworkCreate, VolumeCreate, checkVolumeOptions, inSubnet } from "../src";

describe("volume driver options naming host paths", () => {
  it("refuses to non-admins a bind, a host device or any option that is a host path; remote devices and sizes are anyone's", () => {
    expect(checkVolumeOptions({ type: "none", o: "bind", device: "/etc" }, false)?.option).toBe("o");
    expect(checkVolumeOptions({ o: "rw,rbind" }, false)?.option).toBe("o");
    expect(checkVolumeOptions({ type: "ext4", device: "/dev/sda1" }, false)?.message).toMatch(/device=\/dev\/sda1 refused.*only admins/);
    expect(checkVolumeOptions({ mountpoint: " /srv/x" }, false)?.option).toBe("mountpoint");
    expect(checkVolumeOptions({ type: "nfs", o: "addr=10.0.0.5,rw", device: ":/export" }, false)).toBeNull();
    expect(checkVolumeOptions({ type: "tmpfs", o: "size=100m" }, false)).toBeNull();
    expect(checkVolumeOptions({ type: "none", o: "bind", device: "/etc" }, true)).toBeNull();
  });

  it("validates names, and a network's gateway against its subnet, in words", () => {
    expect(VolumeCreate.safeParse({ name: "-x" }).error?.issues[0]?.message).toMatch(/a volume name is letters/);
    expect(VolumeCreate.parse({ name: "data" })).toEqual({ name: "data", driver: "local", options: {}, labels: {} });
    expect(NetworkCreate.safeParse({ name: "n", gateway: "10.0.0.1" }).error?.issues[0]?.message).toBe("a gateway needs a subnet");
    expect(NetworkCreate.safeParse({ name: "n", subnet: "10.0.0.0/33" }).error?.issues[0]?.message).toMatch(/a subnet is an IPv4 range/);
    expect(NetworkCreate.safeParse({ name: "n", subnet: "10.1.0.0/16", gateway: "10.2.0.1" }).error?.issues[0]?.message).toBe("10.2.0.1 is not inside 10.1.0.0/16");
    expect(NetworkCreate.safeParse({ name: "n", subnet: "10.1.0.0/16", gateway: "10.1.255.254" }).success).toBe(true);
    expect(inSubnet("192.168.1.7", "192.168.1.0/24")).toBe(true);
    expect(inSubnet("192.168.2.7", "192.168.1.0/24")).toBe(false);
  });
});
