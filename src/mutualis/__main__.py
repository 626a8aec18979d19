from mutualis.manage import main

main()
