return await Grid.Silo.GridSiloHost.RunAsync(args);
