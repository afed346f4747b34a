from routing.cli import main

raise SystemExit(main())
