using Microsoft.Extensions.DependencyInjection;

namespace Archive;

/// <summary>
/// Returned by <c>services.AddArchive(...)</c>; provider packages add themselves to it
/// (<c>.AddMinioStorage(...)</c>, <c>.AddElasticsearchSearch(...)</c>).
/// </summary>
public interface IArchiveBuilder
{
    /// <summary>The service collection Archive is being registered in.</summary>
    IServiceCollection Services { get; }
}
