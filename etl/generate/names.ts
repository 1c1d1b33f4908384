/**
 * Name pools for generated customers. 80 × 80 names give 6,400 distinct
 * full names; beyond that a repeated name gets a numbered email.
 */

export const FIRST_NAMES: readonly string[] = [
  'Aaliyah', 'Aarav', 'Abel', 'Ada', 'Ahmed', 'Aiko', 'Alejandro', 'Amara', 'Ana', 'Andrei',
  'Anika', 'Ben', 'Bianca', 'Carlos', 'Chen', 'Chloe', 'Daniel', 'David', 'Deepa', 'Diego',
  'Dmitri', 'Edward', 'Elena', 'Emeka', 'Emma', 'Fatima', 'Frank', 'Grace', 'Hana', 'Hassan',
  'Ines', 'Isaac', 'Jacob', 'Jane', 'Jaya', 'Jerry', 'Jin', 'John', 'Jose', 'Kai',
  'Kenji', 'Kofi', 'Lars', 'Layla', 'Leila', 'Liam', 'Lin', 'Lucia', 'Malik', 'Maria',
  'Mateo', 'Mei', 'Mohammed', 'Nadia', 'Noah', 'Nora', 'Olivia', 'Omar', 'Priya', 'Rafael',
  'Ravi', 'Rosa', 'Sakura', 'Samir', 'Santosh', 'Sara', 'Sean', 'Sofia', 'Sophia', 'Spencer',
  'Stephanie', 'Steve', 'Tariq', 'Thomas', 'Tomas', 'Trevor', 'Wei', 'Yara', 'Yusuf', 'Zoe',
];

export const LAST_NAMES: readonly string[] = [
  'Abbas', 'Adeyemi', 'Ahmed', 'Alvarez', 'Anderson', 'Baker', 'Bianchi', 'Brown', 'Chen', 'Clayton',
  'Cohen', 'Davis', 'Diaz', 'Dubois', 'Evans', 'Fernandez', 'Fischer', 'Garcia', 'Gonzalez', 'Gupta',
  'Habschied', 'Hansen', 'Hernandez', 'Hoffmann', 'Ivanov', 'Jackson', 'Jefferson', 'Johnson', 'Jones', 'Kato',
  'Khatib', 'Kim', 'Kowalski', 'Kumar', 'Larsen', 'Lee', 'Lewis', 'Lopez', 'Martin', 'Martinez',
  'Meyer', 'Miller', 'Mokoena', 'Moore', 'Mueller', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen',
  'Patel', 'Perez', 'Petrov', 'Popescu', 'Quinn', 'Ramirez', 'Rossi', 'Sanchez', 'Santos', 'Schmidt',
  'Silva', 'Singh', 'Smith', 'Staples', 'Suzuki', 'Tanaka', 'Taylor', 'Thomas', 'Thompson', 'Usman',
  'Vance', 'Wang', 'White', 'Williams', 'Wilson', 'Wong', 'Yamamoto', 'Young', 'Zhang', 'Zimmerman',
];
