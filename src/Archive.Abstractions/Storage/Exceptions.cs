namespace Archive.Storage;

/// <summary>A storage backend failed. Names the system, the container, the operation and the key.</summary>
public class ArchiveStorageException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveStorageException(string system, string container, string operation, string? key, string message, Exception? innerException = null)
        : base(Format(system, container, operation, key, message), innerException)
    {
        System = system;
        Container = container;
        Operation = operation;
        Key = key;
    }

    /// <summary>The backing system (e.g. <c>filesystem</c>, <c>s3</c>).</summary>
    public string System { get; }

    /// <summary>The container (root folder, bucket).</summary>
    public string Container { get; }

    /// <summary>The operation that failed (e.g. <c>put</c>, <c>get</c>, <c>list</c>).</summary>
    public string Operation { get; }

    /// <summary>The key concerned, when there is one.</summary>
    public string? Key { get; }

    private static string Format(string system, string container, string operation, string? key, string message)
        => key is null
            ? $"{system} '{container}' {operation} failed: {message}"
            : $"{system} '{container}' {operation} '{key}' failed: {message}";
}

/// <summary>The content did not match its expected SHA-256 (or length); nothing was stored.</summary>
public sealed class ChecksumMismatchException : ArchiveStorageException
{
    /// <summary>Creates the exception.</summary>
    public ChecksumMismatchException(string system, string container, string key, string expected, string actual)
        : base(system, container, "put", key, $"content checksum mismatch: expected {expected}, got {actual}; nothing was stored")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>What the caller said the content would be.</summary>
    public string Expected { get; }

    /// <summary>What actually arrived.</summary>
    public string Actual { get; }
}

/// <summary>A create-only write found the key already taken.</summary>
public sealed class ObjectAlreadyExistsException : ArchiveStorageException
{
    /// <summary>Creates the exception.</summary>
    public ObjectAlreadyExistsException(string system, string container, string key)
        : base(system, container, "put", key, "an object with this key already exists")
    {
    }
}

/// <summary>An operation needs an object that does not exist.</summary>
public sealed class ObjectNotFoundException : ArchiveStorageException
{
    /// <summary>Creates the exception.</summary>
    public ObjectNotFoundException(string system, string container, string operation, string key)
        : base(system, container, operation, key, "the object does not exist")
    {
    }
}

/// <summary>Retention or a legal hold forbids the delete, overwrite or retention change.</summary>
public sealed class ObjectLockedException : ArchiveStorageException
{
    /// <summary>Creates the exception.</summary>
    public ObjectLockedException(string system, string container, string operation, string key, string reason, Exception? innerException = null)
        : base(system, container, operation, key, $"refused by retention: {reason}", innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the operation was refused.</summary>
    public string Reason { get; }
}
