using Archive;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the file-system object store.</summary>
public static class FileSystemStorageBuilderExtensions
{
    /// <summary>
    /// Uses a local folder as the archive's object store (<see cref="IObjectStore"/>, singleton). Replaces any object
    /// store registered before (the last storage registration wins). Options are validated when the host starts.
    /// </summary>
    /// <example><code>services.AddArchive(...).AddFileSystemStorage(o => o.RootPath = "/var/lib/archive");</code></example>
    public static IArchiveBuilder AddFileSystemStorage(this IArchiveBuilder builder, Action<FileSystemStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<FileSystemStoreOptions, FileSystemStoreOptionsValidator>().Configure(configure);
        services.Replace(ServiceDescriptor.Singleton(sp => new FileSystemObjectStore(
            sp.GetRequiredService<IOptions<FileSystemStoreOptions>>().Value,
            sp.GetService<ILogger<FileSystemObjectStore>>() ?? NullLogger<FileSystemObjectStore>.Instance)));
        services.Replace(ServiceDescriptor.Singleton<IObjectStore>(sp => sp.GetRequiredService<FileSystemObjectStore>()));
        return builder;
    }
}
