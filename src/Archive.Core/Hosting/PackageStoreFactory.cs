using Archive.Packages;
using Archive.Storage;

namespace Archive.Hosting;

/// <summary>
/// Creates the package store of one storage root (e.g. <c>ocfl/files</c>) over the object store. The default is
/// <see cref="OcflPackageStore"/>; register another with <c>services.Replace(...)</c> to change the package format.
/// </summary>
/// <param name="objects">The object store.</param>
/// <param name="root">The storage root's key prefix.</param>
public delegate IPackageStore PackageStoreFactory(IObjectStore objects, string root);
