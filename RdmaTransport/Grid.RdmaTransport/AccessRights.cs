namespace Grid.RdmaTransport;

/// <summary>Remote access rights on a memory region, as RDMA's IBV_ACCESS_REMOTE_* flags.</summary>
[Flags]
public enum AccessRights : byte
{
    None = 0,
    RemoteRead = 1,
    RemoteWrite = 2,
    RemoteAtomic = 4,
    All = RemoteRead | RemoteWrite | RemoteAtomic,
}
